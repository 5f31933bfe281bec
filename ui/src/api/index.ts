export * from "./bindings";
export { CommandError } from "./transport";
