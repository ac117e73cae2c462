/** `GET /audit` query. */
import * as z from 'zod';
import { pageQuery } from '../invitations/schema.js';

export const auditQuery = z.strictObject(pageQuery);
