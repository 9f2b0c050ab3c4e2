import { type JsonObject, isObject, stringField, unexpectedBody } from './anchore-wire';

/** One policy finding (a gate's trigger that fired), as both APIs report it. */
export interface PolicyFinding {
  readonly gate: string;
  readonly trigger: string;
  readonly message: string;
  /** `stop`, `warn` or `go`. */
  readonly action: string;
}

/** What a policy check says about one image, in one shape for both APIs. */
export interface PolicyOutcome {
  readonly passed: boolean;
  /** `stop`, `warn`, `go` when the server said; v1's "no evaluation" element says `fail`. */
  readonly finalAction?: string;
  readonly policyId?: string;
  /** Findings that made it fail (action `stop`) or, for a pass, the warnings. */
  readonly findings: readonly PolicyFinding[];
  /** Why it failed when no finding says so: `denylisted`, "no evaluation stored", … */
  readonly note?: string;
}

/**
 * Engine v1's check answer (CONTRACTS.md §1.1): `[{<digest>: {<tag>: [evaluation, …]}}]`.
 * `status` is `pass` for final actions go and warn, `fail` for stop; an element without `status`
 * (no stored evaluation) is a fail. With `detail=true` each evaluation carries the CLI table in
 * `detail.result.result.<imageId>.result` (header Gate/Trigger/Check_Output/Gate_Action…).
 * Returns undefined when the answer holds no evaluation at all.
 */
export function parseV1Check(body: unknown, imageDigest: string): PolicyOutcome | undefined {
  if (!Array.isArray(body)) throw unexpectedBody('policy check', 'expected an array');
  const byDigest = body.filter(isObject);
  // The digest key is the one asked for; any other key would still be this image's evaluation.
  const tagMaps = byDigest.flatMap((entry) =>
    entry[imageDigest] !== undefined ? [entry[imageDigest]] : Object.values(entry),
  );
  const evaluations = tagMaps
    .filter(isObject)
    .flatMap((tags) => Object.values(tags).flatMap((list) => (Array.isArray(list) ? list : [])));
  const parsed = evaluations.filter(isObject);
  if (parsed.length === 0) return undefined;
  const failed = parsed.filter((evaluation) => evaluation['status'] !== 'pass');
  const relevant = failed.length > 0 ? failed : parsed;
  const finalAction = v1FinalAction(relevant[0]);
  const policyId = stringField(relevant[0] ?? {}, 'policyId');
  const findings = relevant.flatMap((evaluation) => v1Findings(evaluation, failed.length > 0 ? 'stop' : 'warn'));
  const missingStatus = failed.some((evaluation) => evaluation['status'] === undefined);
  return {
    passed: failed.length === 0,
    findings,
    ...(finalAction !== undefined ? { finalAction } : {}),
    ...(policyId !== undefined && policyId !== 'N/A' ? { policyId } : {}),
    ...(missingStatus ? { note: 'Anchore holds no policy evaluation for the image (no status)' } : {}),
  };
}

function v1FinalAction(evaluation: JsonObject | undefined): string | undefined {
  if (evaluation === undefined) return undefined;
  const detail = evaluation['detail'];
  const result = isObject(detail) && isObject(detail['result']) ? detail['result'] : undefined;
  return (result ? stringField(result, 'final_action') : undefined) ?? stringField(evaluation, 'final_action');
}

/** Rows of the v1 CLI table whose Gate_Action is `action` (and that are not whitelisted). */
function v1Findings(evaluation: JsonObject, action: string): PolicyFinding[] {
  const detail = evaluation['detail'];
  const stored = isObject(detail) && isObject(detail['result']) ? detail['result'] : undefined;
  const tables = stored && isObject(stored['result']) ? Object.values(stored['result']) : [];
  return tables.flatMap((table) => {
    const result = isObject(table) && isObject(table['result']) ? table['result'] : undefined;
    const header = result && Array.isArray(result['header']) ? result['header'].map(String) : undefined;
    const rows = result && Array.isArray(result['rows']) ? result['rows'] : [];
    if (header === undefined) return [];
    const column = (name: string) => header.indexOf(name);
    const [gate, trigger, output, gateAction, whitelisted] = [
      'Gate',
      'Trigger',
      'Check_Output',
      'Gate_Action',
      'Whitelisted',
    ].map(column);
    return rows.flatMap((row): PolicyFinding[] => {
      if (!Array.isArray(row)) return [];
      const cell = (index: number | undefined) => (index === undefined || index < 0 ? '' : String(row[index] ?? ''));
      if (cell(gateAction).toLowerCase() !== action) return [];
      if (isWhitelisted(cell(whitelisted))) return [];
      return [{ gate: cell(gate), trigger: cell(trigger), message: cell(output), action }];
    });
  });
}

/** The table's Whitelisted cell is `false` or a description of the matching whitelist rule. */
function isWhitelisted(cell: string): boolean {
  return cell !== '' && cell.toLowerCase() !== 'false' && cell.toLowerCase() !== 'none';
}

/**
 * Enterprise v2's check answer (CONTRACTS.md §1.2): one PolicyEvaluation whose `evaluations[]`
 * fail if any element has `status: fail` (final action `warn` is a pass, as Anchore's own
 * admission controller reads it); the failing ones' `details.findings` with action `stop` say why.
 */
export function parseV2Check(body: unknown): PolicyOutcome | undefined {
  if (!isObject(body)) throw unexpectedBody('policy check', 'expected an object');
  const evaluations = Array.isArray(body['evaluations']) ? body['evaluations'].filter(isObject) : [];
  if (evaluations.length === 0) return undefined;
  const failed = evaluations.filter((evaluation) => evaluation['status'] !== 'pass');
  const relevant = failed.length > 0 ? failed : evaluations;
  const wanted = failed.length > 0 ? 'stop' : 'warn';
  const findings = relevant.flatMap((evaluation) => {
    const details = evaluation['details'];
    const list = isObject(details) && Array.isArray(details['findings']) ? details['findings'].filter(isObject) : [];
    return list
      .filter((finding) => finding['action'] === wanted && finding['allowlisted'] !== true)
      .map((finding) => ({
        gate: stringField(finding, 'gate') ?? '',
        trigger: stringField(finding, 'trigger') ?? '',
        message: stringField(finding, 'message') ?? '',
        action: wanted,
      }));
  });
  const first = relevant[0];
  const finalAction = first ? stringField(first, 'final_action') : undefined;
  const policyId = stringField(body, 'policy_id');
  const note = first ? v2Note(first) : undefined;
  return {
    passed: failed.length === 0,
    findings,
    ...(finalAction !== undefined ? { finalAction } : {}),
    ...(policyId !== undefined ? { policyId } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}

function v2Note(evaluation: JsonObject): string | undefined {
  if (evaluation['image_denylisted'] === true) return 'the image is denylisted';
  if (evaluation['status'] === undefined) return 'the evaluation has no status';
  const reason = stringField(evaluation, 'final_action_reason');
  return reason !== undefined && reason !== 'policy_evaluation' ? `final action reason: ${reason}` : undefined;
}
