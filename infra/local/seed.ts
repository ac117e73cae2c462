/** The demo partners every local stack starts with. */
import { putPartner, type Partner } from '../../shared/partners/repository.js';

export const SEED_PARTNERS: readonly Partner[] = [
  { id: 'fabrikam', name: 'Fabrikam', domain: 'fabrikam.com' },
  { id: 'adatum', name: 'Adatum', domain: 'adatum.com' },
  { id: 'wingtip', name: 'Wingtip Toys', domain: 'wingtiptoys.com' },
];

/** Registers the seed partners; safe to run on every start. */
export async function seed(): Promise<void> {
  for (const partner of SEED_PARTNERS) await putPartner(partner);
}
