// The keys of `pomdp play` as its help lists them (cheap to load: the command line's help and the
// browser page's play view show them).

/** The keys of `pomdp play`, as its help and its screen list them. */
export const PLAY_HELP_LINES = [
  "keys: ←/→ turn, ↑ forward, space toggle, p pick up, d drop,",
  "enter or . done, r reset, q quit",
] as const;
