/**
 * The `fanout` HTTP function, called by Cloud Scheduler (no body) or by an operator with an
 * optional range `{from?, to?, streams?}`, or a backfill `{from, to?, streams?, backfill: true,
 * reread?}`.
 * Thin: validate, plan and enqueue, report the plan.
 */
import type { HttpFunction } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { BackfillTooLargeError, type FanoutDeps, type FanoutSettings, fanOut } from '../pipeline/fanout.js';
import { describeIssues, IsoInstantSchema, StreamNameSchema } from '../schema-parts.js';

const FanoutBodySchema = z
  .strictObject({
    from: IsoInstantSchema.optional(),
    to: IsoInstantSchema.optional(),
    streams: z.array(StreamNameSchema).min(1).optional(),
    backfill: z.boolean().optional(),
    reread: z.boolean().optional(),
  })
  .refine((b) => b.from === undefined || b.to === undefined || b.from < b.to, {
    message: 'from must be before to',
  })
  .refine((b) => b.reread !== true || b.backfill === true, {
    path: ['reread'],
    message: 'reread applies to a backfill only',
  })
  .refine((b) => b.backfill !== true || b.from !== undefined, {
    path: ['from'],
    message: 'a backfill needs from, the start of the range to load',
  });

export function fanoutHandler(deps: FanoutDeps, settings: FanoutSettings): HttpFunction {
  return async (req, res) => {
    const body = req.body && typeof req.body === 'object' && Object.keys(req.body).length > 0 ? req.body : {};
    const parsed = FanoutBodySchema.safeParse(body);
    if (!parsed.success) {
      res.status(400).json({
        error:
          'invalid fan-out request: expected an optional {from, to, streams, backfill, reread} with ISO times',
        issues: describeIssues(parsed.error, '(body)'),
      });
      return;
    }
    try {
      res.status(200).json(await fanOut(deps, settings, parsed.data));
    } catch (error) {
      if (error instanceof BackfillTooLargeError) {
        res.status(400).json({ error: error.message });
        return;
      }
      // Planning touches only the state store and the queue: a failure here is theirs, and a
      // scheduler retry or the next run plans the same windows again.
      res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
    }
  };
}
