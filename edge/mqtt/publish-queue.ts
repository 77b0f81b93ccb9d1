// What stands between the hub and a slow or absent broker: a bounded queue of messages waiting to be published.
// A state topic holds one pending message (a newer state replaces the older one, which nobody needs any more); past
// the bound the oldest pending message is dropped first. At most `maxInFlight` QoS 1 publishes wait for their PUBACK,
// so a broker that stops answering costs a few messages of memory, never a growing backlog. Nothing here is session
// data — the outbox is the record — and nothing here ever makes the hub wait: offer() returns at once.

export interface PublishOptions { qos: 0 | 1; retain: boolean }

/** The part of an MQTT client the queue uses (mqtt.js's MqttClient fits). */
export interface Publisher {
  readonly connected: boolean;
  publish(topic: string, payload: string, opts: PublishOptions, cb: (err?: Error) => void): unknown;
}

interface Pending { topic: string; payload: string; opts: PublishOptions }

export class PublishQueue {
  private pending = new Map<string, Pending>();
  private inFlight = 0;
  /** Bumped on every (re)connect: PUBACK callbacks of an older connection no longer count against the window. */
  private generation = 0;
  dropped = 0;
  published = 0;

  constructor(private readonly client: Publisher, readonly maxPending = 64, readonly maxInFlight = 8, private readonly onError: (e: Error) => void = () => {}) {}

  get size(): number { return this.pending.size; }

  /** Queues a message under `key` (a topic, or a unique key for event messages), replacing what waited there. */
  offer(key: string, topic: string, payload: string, opts: PublishOptions): void {
    this.pending.delete(key);
    this.pending.set(key, { topic, payload, opts: { ...opts } });
    while (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.dropped++;
    }
    this.pump();
  }

  /** Call when the client (re)connects: a fresh window, and whatever waited goes out. */
  connected(): void {
    this.generation++;
    this.inFlight = 0;
    this.pump();
  }

  pump(): void {
    while (this.client.connected && this.inFlight < this.maxInFlight && this.pending.size > 0) {
      const [key, m] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(key);
      this.inFlight++;
      const gen = this.generation;
      this.client.publish(m.topic, m.payload, m.opts, (err) => {
        if (gen !== this.generation) return;
        this.inFlight = Math.max(0, this.inFlight - 1);
        if (err) this.onError(err); else this.published++;
        this.pump();
      });
    }
  }
}
