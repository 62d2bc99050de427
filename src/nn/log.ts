import pino from "pino";

/**
 * Logger of the nn module. Writes to stderr so that commands printing JSON on stdout (the bench) stay
 * parseable; the level comes from `POMDP_LOG_LEVEL` (default "info").
 */
export const nnLogger: pino.Logger = pino(
  { name: "nn", level: process.env.POMDP_LOG_LEVEL ?? "info" },
  pino.destination(2),
);
