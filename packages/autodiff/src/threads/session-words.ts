/**
 * The shared control words of a row session (see `openRows` in pool.ts), one set
 * per worker: the calling thread hands that worker a row range by writing it here
 * and switching the state to {@link JOB}; the worker, waiting on the state word
 * instead of its message port, runs it and stores its number as done. The calling
 * thread writes the job's words only while the worker is not running one. Imported by
 * both sides.
 */

/** Index of the state word: one of {@link LEFT}, {@link LISTENING}, {@link JOB}, {@link CLOSING}. */
export const STATE = 0;
/** First row of the job. */
export const R0 = 1;
/** One past its last row. */
export const R1 = 2;
/** The number of the job last finished (the worker stores it and notifies). */
export const DONE = 3;
/** 1 when the last job threw on the worker (the calling thread redoes its rows). */
export const FAILED = 4;
/** The calling thread's SIMD switch for the job (1 on). */
export const SIMD = 5;
/** The number of the job posted (1, 2, …: so that a finished earlier job is never taken for it). */
export const SEQ = 6;
/** Number of words. */
export const WORDS = 7;

/** The worker is not in the session (it serves its message port). */
export const LEFT = 0;
/** The worker waits on the state word for a job. */
export const LISTENING = 1;
/** A job is posted and not finished. */
export const JOB = 2;
/** The calling thread asks the worker to leave the session. */
export const CLOSING = 3;
