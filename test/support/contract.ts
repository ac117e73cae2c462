/**
 * The contract check: every answer the local gateway gives is held against the served OpenAPI
 * document (JSON Schema 2020-12, Ajv). An undocumented status, an undocumented content type, a
 * missing required header or a body that does not match its schema is a violation.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { routes } from '../../infra/routes.js';
import type { ObservedResponse } from '../../infra/local/gateway.js';
import { openApiDocument } from '../../shared/http/openapi.js';

// ajv-formats is CommonJS: imported from ESM, the plugin is its `default`.
const addFormats = addFormatsModule.default;

const DOCUMENT_ID = 'urn:partner-relationships:openapi';

interface ResponseObject {
  readonly content?: Record<string, { schema?: unknown }>;
  readonly headers?: Record<string, { required?: boolean }>;
}

/** `/` and `~` escaped for a JSON pointer segment. */
const pointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** An Ajv for OpenAPI 3.1 schemas: 2020-12, formats checked, strict about the schemas themselves. */
export function openApiAjv(options: { strict?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: options.strict ?? false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** Checks one answer against the document; returns what is wrong with it (empty when it conforms). */
export function contractValidator(document: Record<string, unknown> = openApiDocument(routes)): (response: ObservedResponse) => string[] {
  const ajv = openApiAjv();
  ajv.addSchema(document, DOCUMENT_ID);
  const compiled = new Map<string, ValidateFunction>();
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;

  return (response) => {
    const { route } = response;
    // The 404 for a method and path the API has no route for, and the local /health, are the gateway's own.
    if (route === undefined) return [];
    const where = `${response.method} ${route.path} → ${response.status}`;
    const operation = paths[route.path]?.[response.method.toLowerCase()];
    if (operation === undefined) return [`${where}: the document has no operation for this route`];
    const documented = operation.responses[String(response.status)];
    if (documented === undefined) return [`${where}: undocumented status (documented: ${Object.keys(operation.responses).join(', ')})`];

    const violations: string[] = [];
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      if (header.required === true && response.headers[name.toLowerCase()] === undefined) violations.push(`${where}: required header ${name} is missing`);
    }
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const content = documented.content ?? {};
    if (Object.keys(content).length === 0) {
      if (response.body !== '') violations.push(`${where}: a body where the document declares none`);
      return violations;
    }
    if (!(mediaType in content)) {
      violations.push(`${where}: undocumented content type "${mediaType}" (documented: ${Object.keys(content).join(', ')})`);
      return violations;
    }
    if (response.method === 'HEAD' || content[mediaType]?.schema === undefined) return violations;
    const ref = `${DOCUMENT_ID}#/paths/${pointer(route.path)}/${response.method.toLowerCase()}/responses/${response.status}/content/${pointer(mediaType)}/schema`;
    let validate = compiled.get(ref);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    let body: unknown = response.body;
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      try {
        body = JSON.parse(response.body);
      } catch {
        violations.push(`${where}: ${mediaType} body is not JSON`);
        return violations;
      }
    }
    if (!validate(body)) {
      const code = (body as { code?: unknown } | null)?.code;
      const named = typeof code === 'string' ? ` (code ${code})` : '';
      violations.push(`${where} ${mediaType}${named}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
    }
    return violations;
  };
}

/** Collects the violations of every observed answer; `assertClean` throws naming each (once per kind). */
export function contractRecorder(document?: Record<string, unknown>) {
  const check = contractValidator(document);
  const violations = new Set<string>();
  return {
    violations,
    observe: (response: ObservedResponse) => {
      for (const violation of check(response)) violations.add(violation);
    },
    assertClean: () => {
      if (violations.size > 0) {
        throw new Error(`Responses that break the OpenAPI document (${violations.size}):\n${[...violations].map((v) => `  - ${v}`).join('\n')}`);
      }
    },
  };
}
