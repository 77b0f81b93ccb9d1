// Secure headers on every answer of the hub, /healthz and refusals included: a self-only CSP, no framing, no
// referrer, no sniffing. The hub speaks plain HTTP on the LAN, so no HSTS (it would lock browsers out).
import { secureHeaders } from "hono/secure-headers";

export const hubSecureHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"], fontSrc: ["'self'"], objectSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"], frameAncestors: ["'none'"],
  },
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
  referrerPolicy: "no-referrer",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
});
