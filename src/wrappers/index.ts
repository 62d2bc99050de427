// Generic wrappers, usable on any env. TimeLimit lives in src/core (make() adds it) and is re-exported here.
export { TimeLimit } from "../core/time_limit";
export * from "./flicker_observation";
export * from "./frame_stack";
export * from "./grayscale_observation";
export * from "./mask_observation";
export * from "./normalize_observation";
export * from "./observation_noise";
export * from "./previous_action";
export * from "./record_episode_statistics";
export * from "./resize_observation";
export * from "./transform_reward";
