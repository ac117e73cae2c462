/** `create-invitation` → `CreateInvitation`: the stable construct id of a catalogue entry, so logical ids and tests can find each function. */
export function constructId(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
