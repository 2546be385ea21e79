/** How the centre talks to whichever broker it uses (embedded aedes or an external one such as Mosquitto). */
export interface BrokerLink {
  start(): Promise<void>;
  stop(): Promise<void>;
  publish(topic: string, payload: Buffer | string, opts: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  /** Receives every message on `filter`; the handler must not throw. */
  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<void>;
  /** Drops a connected terminal at once (disabled, or its credentials rotated). */
  disconnectClient(clientId: string): void;
}

/** What the broker needs to know about terminals to authenticate and authorise them. */
export interface TerminalAccess {
  checkCredentials(terminalId: string, password: string): boolean;
  /** Its area chain and groups, or null if unknown or disabled. */
  accessOf(terminalId: string): { areaChain: readonly string[]; groups: readonly string[] } | null;
}
