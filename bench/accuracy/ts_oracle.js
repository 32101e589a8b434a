// The TypeScript oracle: every call and `new` in the given files, and where the checker says
// it goes. Usage: node ts_oracle.js < config.json, config = {typescript, root, files, report}
// (`files`: the whole program, `report`: the files whose sites to print, both relative to root).
// Prints one JSON line per reported file: {"file", "sites": [{line, col, callee, short,
// answers: [{file|null, module, line, name, type}], why?}]}. Lines are 1-based; `line` is
// where the callee expression starts, as dgtui records it.
//
// The answer: checker.getResolvedSignature(call).declaration; an overload signature is
// replaced by its implementation (the body dgtui models as an atom); a `new C()` is the class C
// (dgtui's convention: a constructor call resolves to the class). With no signature
// declaration, the symbol of the callee name, aliases followed. A declaration in the
// repository with no code behind it (a function type, an interface member, an abstract
// method, a parameter) is no answer: the site is "unknown", with the declaration's kind.
'use strict';

const path = require('path');
const config = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const ts = require(config.typescript);
const root = path.resolve(config.root);

const options = {
  target: ts.ScriptTarget.ES2018, module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2018.d.ts', 'lib.dom.d.ts'],
  strict: true, noEmit: true, skipLibCheck: true, types: [],
  baseUrl: root, paths: config.paths || {},
};
const program = ts.createProgram(config.files.map((f) => path.join(root, f)), options);
const checker = program.getTypeChecker();

function declName(decl) {
  // An arrow function or function expression takes the name of what holds it.
  let node = decl;
  if (!node.name && node.parent && (ts.isVariableDeclaration(node.parent)
      || ts.isPropertyAssignment(node.parent) || ts.isPropertyDeclaration(node.parent))) {
    node = node.parent;
  }
  if (ts.isConstructorDeclaration(decl)) return { node: decl, name: 'constructor' };
  return { node, name: node.name ? node.name.getText() : null };
}

function inRepo(decl) {
  const sf = decl.getSourceFile();
  const rel = path.relative(root, sf.fileName);
  return !rel.startsWith('..') && !path.isAbsolute(rel) && !sf.isDeclarationFile ? rel : null;
}

function answer(decl) {
  const sf = decl.getSourceFile();
  const { node, name } = declName(decl);
  const at = node.name || node;
  const line = sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1;
  const rel = inRepo(decl);
  return { file: rel && rel.split(path.sep).join('/'), module: path.basename(sf.fileName),
    line, name, type: ts.SyntaxKind[decl.kind] };
}

// The code a declaration in the repository stands for, or null: a function type, an interface
// member, an abstract method, a parameter or a variable of function type run whatever is
// passed or assigned at run time, which no static answer names.
function codeOf(decl) {
  if (ts.isClassLike(decl)) return decl;
  if (ts.isFunctionLike(decl)) return decl.body ? decl : null;
  const init = decl.initializer;
  if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isClassExpression(init))) {
    return init;
  }
  return null;
}

function implementation(decl) {
  const isOverload = (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) && !decl.body;
  if (!isOverload || !decl.symbol) return decl;
  return (decl.symbol.declarations || []).find((d) => d.body) || decl;
}

function symbolDecls(expr) {
  if (ts.isNonNullExpression(expr)) return symbolDecls(expr.expression);
  const at = ts.isPropertyAccessExpression(expr) ? expr.name : expr;
  let sym = checker.getSymbolAtLocation(at);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  if (!sym) return [];
  const decls = sym.declarations || [];
  const classes = decls.filter((d) => ts.isClassLike(d));
  return classes.length ? classes : decls.map(implementation);
}

function shortName(expr) {
  if (ts.isNonNullExpression(expr)) return shortName(expr.expression); // f!(x) calls f
  if (ts.isIdentifier(expr) || ts.isPrivateIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  if (expr.kind === ts.SyntaxKind.SuperKeyword) return 'super';
  return null;
}

function site(node, sf) {
  const expr = node.expression;
  const start = sf.getLineAndCharacterOfPosition(expr.getStart(sf));
  const out = { line: start.line + 1, col: start.character,
    callee: expr.getText(sf).replace(/\s+/g, ' ').slice(0, 120), short: shortName(expr) };
  if (out.short === null) {
    out.why = 'callee is not a name';
    return out;
  }
  let decls = [];
  try {
    if (ts.isNewExpression(node)) {
      decls = symbolDecls(expr);
    } else {
      const sig = checker.getResolvedSignature(node);
      const decl = sig && sig.declaration;
      decls = decl && !ts.isJSDocSignature(decl) ? [implementation(decl)] : symbolDecls(expr);
    }
  } catch (err) {
    out.answers = [];
    out.why = `oracle error: ${err.name}`;
    return out;
  }
  const seen = new Map();
  const noCode = [];
  for (const d of decls) {
    const code = inRepo(d) ? codeOf(d) : d;
    if (!code) {
      noCode.push(ts.SyntaxKind[d.kind]);
      continue;
    }
    const a = answer(code);
    seen.set(`${a.file}|${a.module}|${a.line}|${a.name}`, a);
  }
  out.answers = [...seen.values()];
  if (!out.answers.length) {
    out.why = noCode.length ? `declaration without code: ${[...new Set(noCode)].sort().join(', ')}` : 'no answer';
  }
  return out;
}

for (const rel of config.report) {
  const sf = program.getSourceFile(path.join(root, rel));
  const sites = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      if (node.expression.kind !== ts.SyntaxKind.ImportKeyword) sites.push(site(node, sf));
    }
    ts.forEachChild(node, visit);
  };
  if (sf) visit(sf);
  process.stdout.write(JSON.stringify({ file: rel, sites, unparsable: !sf }) + '\n');
}
