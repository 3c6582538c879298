/**
 * The notifier's ledger in Firestore: one document per anomaly sent, created with `create()`,
 * which fails with ALREADY_EXISTS when the document exists
 * (https://cloud.google.com/firestore/docs/manage-data/add-data#set_a_document: "create … fails
 * if the document already exists"), so exactly one of two racing runs claims an anomaly.
 */
import type { Firestore } from '@google-cloud/firestore';
import type { SentLedger } from '../anomalies/notify.js';

/** gRPC status ALREADY_EXISTS, as the Firestore client reports it. */
const ALREADY_EXISTS = 6;

export class FirestoreSentLedger implements SentLedger {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  /** Document ids may not contain '/', so the key is URI-encoded. */
  #doc(key: string) {
    return this.db.collection(this.collection).doc(encodeURIComponent(key));
  }

  async claim(key: string): Promise<boolean> {
    try {
      await this.#doc(key).create({ key, sentAt: new Date().toISOString() });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === ALREADY_EXISTS) return false;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    await this.#doc(key).delete();
  }
}
