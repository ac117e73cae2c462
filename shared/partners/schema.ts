/** The shape of a partner's id: registration refuses any other, so every partner can be named in a path. */
import * as z from 'zod';

/** Lower-case letters, digits and inner hyphens, 1 to 64 characters (`fabrikam`, `wingtip`). */
export const partnerId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be a partner id: lower-case letters, digits and inner hyphens, at most 64');
