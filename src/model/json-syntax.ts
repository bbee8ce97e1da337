/**
 * Finds where a JSON text stops being JSON. Only run after JSON.parse has failed: Node 20's
 * messages often lack a position ("Unexpected token 'x', ... is not valid JSON"), and people
 * need a line and column to fix a file.
 */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  message: string;
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function locateJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  let offset = 0;
  const describe = (at: number): string => (at >= text.length ? 'end of input' : JSON.stringify(String.fromCodePoint(text.codePointAt(at)!)));
  const fail = (expected: string): never => {
    throw new JsonSyntaxError(offset, `expected ${expected}, found ${describe(offset)}`);
  };
  const skipWhitespace = (): void => {
    while (offset < text.length && ' \t\n\r'.includes(text[offset]!)) offset++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, offset)) offset += word.length;
    else fail('a JSON value');
  };
  const string = (): void => {
    offset++; // opening quote
    while (offset < text.length) {
      const ch = text.charCodeAt(offset);
      if (ch === 0x22) {
        offset++;
        return;
      }
      if (ch < 0x20) throw new JsonSyntaxError(offset, 'control character in string (escape it, e.g. \\n)');
      if (ch === 0x5c) {
        const next = text[offset + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(offset + 2, offset + 6))) throw new JsonSyntaxError(offset, 'bad \\u escape in string');
          offset += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          offset += 2;
        } else {
          throw new JsonSyntaxError(offset, 'bad escape in string');
        }
        continue;
      }
      offset++;
    }
    throw new JsonSyntaxError(offset, 'unterminated string');
  };
  const number = (): void => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(offset, offset + 400));
    if (!match) fail('a JSON value');
    offset += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) throw new JsonSyntaxError(offset, 'nested too deeply');
    skipWhitespace();
    const ch = text[offset];
    if (ch === '{') {
      offset++;
      skipWhitespace();
      if (text[offset] === '}') {
        offset++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[offset] !== '"') fail('a property name in double quotes');
        string();
        skipWhitespace();
        if (text[offset] !== ':') fail("':'");
        offset++;
        value(depth + 1);
        skipWhitespace();
        if (text[offset] === ',') {
          offset++;
          continue;
        }
        if (text[offset] === '}') {
          offset++;
          return;
        }
        fail("',' or '}'");
      }
    }
    if (ch === '[') {
      offset++;
      skipWhitespace();
      if (text[offset] === ']') {
        offset++;
        return;
      }
      for (;;) {
        value(depth + 1);
        skipWhitespace();
        if (text[offset] === ',') {
          offset++;
          continue;
        }
        if (text[offset] === ']') {
          offset++;
          return;
        }
        fail("',' or ']'");
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    return number();
  };
  try {
    value(0);
    skipWhitespace();
    if (offset < text.length) fail('end of input after the JSON value');
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const before = text.slice(0, error.offset);
    const line = before.split('\n').length;
    const column = error.offset - before.lastIndexOf('\n');
    return { line, column, message: error.message };
  }
}
