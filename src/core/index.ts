// The env contract: spaces, envs, wrappers, registry, vector envs, checker, seeded RNG.
// Nothing here imports TF.js or any other module of the project: an env needs no neural network.
export * from "./async_vector";
export * from "./checker";
export * from "./describe";
export * from "./env";
export * from "./order_enforcing";
export * from "./registry";
export * from "./rng";
export * from "./spaces";
export * from "./time_limit";
export * from "./vector";
export * from "./warnings";
export * from "./wrapper";
