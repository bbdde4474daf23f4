import type { SchedulerCase } from '../cinder/scheduler/case.js';

/**
 * The output of `cinder-sim schedule` written result by result: the very
 * text `JSON.stringify(doc, null, 2)` gives for the whole document (one
 * case's output, or an array of them), without ever holding the document
 * or its text.  A case of thousands of requests on a large fleet makes a
 * text longer than a JavaScript string may be.
 */
export class CaseJsonStream {
  private cases = 0;
  private results = 0;
  private current: SchedulerCase | null = null;
  /** Indentation depth of a case's own braces: 1 inside the top array. */
  private readonly depth: number;

  constructor(
    private readonly write: (text: string) => void,
    private readonly array: boolean,
  ) {
    this.depth = array ? 1 : 0;
    if (array) write('[');
  }

  beginCase(c: SchedulerCase): void {
    this.current = c;
    this.results = 0;
    const lead = this.array ? `${this.cases > 0 ? ',' : ''}\n${pad(this.depth)}` : '';
    if (!c.requests) {
      this.write(lead);
      return;
    }
    const id = c.id !== undefined ? `${pad(this.depth + 1)}"id": ${JSON.stringify(c.id)},\n` : '';
    this.write(`${lead}{\n${id}${pad(this.depth + 1)}"results": [`);
  }

  /** One request's result; for a case with `request` (not `requests`) it is the case's whole output. */
  result(r: object): void {
    if (this.current?.requests) {
      this.write(`${this.results > 0 ? ',' : ''}\n${pad(this.depth + 2)}${indented(r, this.depth + 2)}`);
    } else {
      this.write(indented(r, this.depth));
    }
    this.results++;
  }

  endCase(): void {
    if (this.current?.requests) this.write(`${this.results > 0 ? `\n${pad(this.depth + 1)}` : ''}]\n${pad(this.depth)}}`);
    this.current = null;
    this.cases++;
  }

  end(): void {
    this.write(this.array ? (this.cases > 0 ? '\n]\n' : ']\n') : '\n');
  }
}

function pad(depth: number): string {
  return '  '.repeat(depth);
}

/** A value as JSON.stringify(v, null, 2) prints it at this depth of a larger document (JSON text has no raw newline inside a string). */
function indented(v: object, depth: number): string {
  const text = JSON.stringify(v, null, 2);
  return depth === 0 ? text : text.replace(/\n/g, '\n' + pad(depth));
}
