// Dashboard files embedded in a compiled executable (scripts/build-pi.ts registers them before the CLI starts).
// URL path ("/index.html", "/assets/…") → the embedded file's path, readable with Bun.file().
let embedded: Record<string, string> | null = null;

export function registerEmbeddedUi(files: Record<string, string>): void { embedded = files; }
export function embeddedUi(): Record<string, string> | null { return embedded; }
