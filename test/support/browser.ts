/**
 * What a browser does with the acceptance page: open the link, read the form, change what the
 * admin changes, and submit with the button they click, sending exactly the fields a browser
 * sends (ticked boxes only, every other control with its value, the clicked button last).
 */

export interface FormControl {
  readonly tag: 'input' | 'textarea' | 'button';
  readonly type: string;
  readonly name: string;
  readonly value: string;
  readonly checked: boolean;
}

export interface PageForm {
  readonly method: string;
  /** The form's action, resolved against the page's URL. */
  readonly action: URL;
  readonly controls: readonly FormControl[];
}

const decode = (text: string) =>
  text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of tag.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) found[match[1]!.toLowerCase()] = decode(match[2] ?? '');
  return found;
}

/** The page's answer form (not its "Sign in…" form), with its controls in document order. */
export function readForm(html: string, pageUrl: URL): PageForm {
  const form = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].find((match) => !/action="[^"]*\/sign-in"/.test(match[1] ?? ''));
  if (form === undefined) throw new Error('the page has no form');
  const formAttributes = attributes(form[1] ?? '');
  const controls: FormControl[] = [];
  for (const match of (form[2] ?? '').matchAll(/<(input|button)\b([^>]*)>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    const tag = (match[1] ?? 'textarea').toLowerCase() as FormControl['tag'];
    const attrs = attributes(match[2] ?? match[3] ?? '');
    if (attrs.name === undefined) continue;
    controls.push({
      tag,
      type: attrs.type ?? (tag === 'button' ? 'submit' : 'text'),
      name: attrs.name,
      value: tag === 'textarea' ? decode(match[4] ?? '') : (attrs.value ?? ''),
      checked: 'checked' in attrs,
    });
  }
  return { method: (formAttributes.method ?? 'get').toUpperCase(), action: new URL(formAttributes.action ?? '', pageUrl), controls };
}

/** What the admin does on the page before clicking a button. */
export interface Changes {
  /** Checkbox values to untick. */
  readonly untick?: readonly string[];
  /** New values of text, number and textarea controls, by name. */
  readonly fill?: Readonly<Record<string, string>>;
}

/** The body a browser sends when the button `name=value` is clicked after `changes`. */
export function formBody(form: PageForm, button: { name: string; value: string }, changes: Changes = {}): URLSearchParams {
  const body = new URLSearchParams();
  let clicked = false;
  for (const control of form.controls) {
    if (control.tag === 'button' || control.type === 'submit') {
      if (control.name === button.name && control.value === button.value) {
        body.append(control.name, control.value);
        clicked = true;
      }
      continue;
    }
    if (control.type === 'checkbox') {
      if (control.checked && !(changes.untick ?? []).includes(control.value)) body.append(control.name, control.value);
      continue;
    }
    body.append(control.name, changes.fill?.[control.name] ?? control.value);
  }
  if (!clicked) throw new Error(`the form has no button ${button.name}=${button.value}`);
  return body;
}

/** Opens the emailed link, then submits its form as the admin would; answers the page the browser ends on. */
export async function answerOnPage(
  link: URL,
  button: { name: string; value: string },
  changes: Changes = {},
): Promise<{ status: number; html: string; form: PageForm }> {
  const page = await fetch(link);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the link answered ${page.status}: ${html.slice(0, 200)}`);
  const form = readForm(html, link);
  const response = await fetch(form.action, {
    method: form.method,
    // What a browser adds to a same-origin form post.
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: link.origin, 'Sec-Fetch-Site': 'same-origin' },
    body: formBody(form, button, changes).toString(),
  });
  return { status: response.status, html: await response.text(), form };
}
