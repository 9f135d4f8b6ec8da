'use strict';
// The Nu HTML Checker (vnu-jar from npm) run with the machine's java.

const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const JAR = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

/**
 * Validates the given .html files in one run of vnu. Resolves to a Map from
 * each file to its list of errors ({ line, column, message, extract }).
 */
function validate(files) {
  // vnu passes over a file it cannot find without a word.
  for (const f of files) {
    if (!fs.existsSync(f) || fs.statSync(f).size === 0) return Promise.reject(new Error(`vnu: ${f} is missing or empty`));
  }
  return new Promise((resolve, reject) => {
    execFile(JAVA, ['-Xss8m', '-jar', JAR, '--errors-only', '--format', 'json', ...files],
      { maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        // vnu writes its report to stderr and exits 1 when it found errors.
        const text = (stderr || stdout || '').trim();
        let report;
        try {
          report = JSON.parse(text);
        } catch {
          reject(new Error(`vnu did not answer with JSON (${error ? error.message : 'exit 0'}):\n${stdout}\n${stderr}`));
          return;
        }
        const byFile = new Map(files.map((f) => [f, []]));
        const byURL = new Map(files.map((f) => [pathToFileURL(f).href, f]));
        for (const m of report.messages || []) {
          // 'error', and 'non-document-error' (a file vnu could not read).
          if (m.type === 'info') continue;
          const file = byURL.get(m.url) || byURL.get(decodeURI(m.url || '')) || files.find((f) => (m.url || '').endsWith(path.basename(f)));
          const entry = { line: m.lastLine, column: m.firstColumn, message: m.message, extract: m.extract };
          if (file) byFile.get(file).push(entry);
          else {
            // A message not tied to one of our files (e.g. a fatal I/O
            // error) counts against every file, so that it is not lost.
            for (const list of byFile.values()) list.push({ ...entry, message: `${m.url || '?'}: ${m.message}` });
          }
        }
        resolve(byFile);
      });
  });
}

function formatErrors(errors) {
  return errors.map((e) => `  line ${e.line}${e.column ? `:${e.column}` : ''}: ${e.message}${e.extract ? `\n      ${e.extract.replace(/\n/g, '⏎')}` : ''}`).join('\n');
}

module.exports = { validate, formatErrors, JAR };
