/**
 * Lint findings.  Every rule has an id here; a finding's default severity
 * derives from its rule.  "error" means Cinder (or oslo.config) refuses the
 * configuration or a service fails to start; "warning" means Cinder runs but
 * not as the file's author most likely meant; "info" notes a legal but
 * surprising reading.
 */
export const lintRules = {
  'parse-error': { severity: 'error', summary: 'a line oslo.config refuses to parse' },
  'invalid-value': { severity: 'error', summary: 'a value the option type rejects' },
  'template-substitution': { severity: 'error', summary: 'a $reference to an option that does not exist' },
  'empty-number': { severity: 'warning', summary: 'an empty number, which oslo reads as None' },
  'unknown-option': { severity: 'warning', summary: 'an option no Cinder 2023.1 code registers' },
  'deprecated-option': { severity: 'warning', summary: 'a deprecated name oslo.config still reads' },
  'legacy-option': { severity: 'warning', summary: 'a pre-Queens option name Cinder 2023.1 no longer reads' },
  'wrong-section': { severity: 'warning', summary: 'an option in a section where Cinder does not read it' },
  'missing-backend-group': { severity: 'warning', summary: 'enabled_backends names a group no file defines' },
  'unused-backend-group': { severity: 'warning', summary: 'a backend group enabled_backends never names' },
  'misspelt-section': { severity: 'warning', summary: 'a section name close to a known one' },
  'no-enabled-backends': { severity: 'warning', summary: 'no enabled_backends: cinder-volume exits at start' },
  'duplicate-enabled-backend': { severity: 'warning', summary: 'a backend named twice in enabled_backends' },
  'duplicate-option': { severity: 'info', summary: 'an option set twice in one section of one file' },
  'duplicate-backend-name': { severity: 'info', summary: 'backends sharing a volume_backend_name (legal)' },
  'service-down-time-override': { severity: 'warning', summary: 'service_down_time <= report_interval, raised at start' },
  'unknown-driver': { severity: 'error', summary: 'a volume_driver class Cinder 2023.1 does not have' },
  'renamed-driver': { severity: 'warning', summary: 'an old volume_driver path Cinder maps to a new one' },
  'unmodelled-driver': { severity: 'info', summary: 'a driver the simulator does not model' },
  'unknown-scheduler-class': { severity: 'error', summary: 'a filter or weigher Cinder 2023.1 does not have' },
  'default-az-without-service': { severity: 'warning', summary: 'the default availability zone has no volume service' },
  'type-backend-name-missing': { severity: 'warning', summary: 'a volume type whose volume_backend_name no backend reports' },
  'default-volume-type-missing': { severity: 'warning', summary: 'default_volume_type names no known volume type' },
  'auto-thin-oversubscribed': { severity: 'warning', summary: 'lvm_type auto becomes thin at the default over-subscription ratio 20.0' },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type Severity = 'error' | 'warning' | 'info';
export type LintRuleId = keyof typeof lintRules;

export interface Finding {
  severity: Severity;
  rule: LintRuleId;
  /** The file as the user named it; null for findings about the whole set of files. */
  file: string | null;
  line: number | null;
  /** Section as written, when the finding is about one. */
  section?: string;
  key?: string;
  value?: string;
  /** Valid choices, when the value must be one of a set. */
  choices?: readonly string[];
  /** "Did you mean" candidate. */
  suggestion?: string;
  message: string;
}

export function finding(rule: LintRuleId, fields: Omit<Finding, 'severity' | 'rule'> & { severity?: Severity }): Finding {
  return { ...fields, severity: fields.severity ?? lintRules[rule].severity, rule };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** File order as given, then line, then severity: the order a user fixes things in. */
export function sortFindings(findings: readonly Finding[], fileOrder: readonly string[]): Finding[] {
  const fileRank = (f: string | null): number => (f === null ? fileOrder.length : Math.max(0, fileOrder.indexOf(f)));
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => fileRank(a.f.file) - fileRank(b.f.file) || (a.f.line ?? 0) - (b.f.line ?? 0) || SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}
