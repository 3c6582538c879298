/**
 * Ctrl-C during a run: say what state it leaves and exit 130 (128 + SIGINT, the shell's
 * convention; 143 for SIGTERM), instead of dying mid-line with no word.
 */

/** Exits on SIGINT or SIGTERM with `message`; returns the function that stops listening. */
export function exitOnInterrupt(message: string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${message}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Why an interrupted run loses nothing: the worker's replace and the ledger (README, "How a run works"). */
export const RESUME_NOTE =
  'Nothing loaded is lost: each window is replaced in one transaction, so a window cut short ' +
  'keeps its previous rows, and the ledger keeps every window that finished. Run the same command ' +
  'again to resume; windows that were loading are read again once their lease (10 minutes) ends.';
