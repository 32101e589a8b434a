; dgtui extraction query shared by JavaScript and TypeScript (see python.scm for the capture
; vocabulary); javascript.scm and typescript.scm add what differs between the two grammars.
; Extra captures: @scope.object names an object literal so its methods get qualified names;
; @export.definition marks a definition as exported; @test.name names a test callback.

(function_declaration name: (identifier) @name) @definition.function

(generator_function_declaration name: (identifier) @name) @definition.generator

(class_declaration name: (_) @name) @definition.class


(method_definition name: (_) @name) @definition.method

; const f = () => {} / let g = function () {}
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)] @definition.function) @anchor

; res.send = function send() {} / exports.x = ... / Foo.prototype.bar = ...
(assignment_expression
  left: [(member_expression) (identifier)] @name
  right: [(arrow_function) (function_expression) (generator_function)] @definition.function) @anchor

; const Foo = class {}
(variable_declarator
  name: (identifier) @name
  value: (class) @definition.class) @anchor

; { key: function () {} } inside a named object
(pair
  key: (_) @name
  value: [(arrow_function) (function_expression) (generator_function)] @definition.method) @anchor

; const api = { ... } / module.exports = { ... }
(variable_declarator name: (identifier) @name value: (object) @scope.object)
(assignment_expression left: [(member_expression) (identifier)] @name right: (object) @scope.object)

; describe('cache', () => {}) / it('saves', async function () {})
(call_expression
  function: [(identifier) (member_expression)] @_test
  (#match? @_test "^(describe|it|test|context|suite|specify)(\\.(only|skip|concurrent|todo|each))?$")
  arguments: (arguments
    .
    [(string (string_fragment) @test.name) (template_string) @test.name]
    .
    [(arrow_function) (function_expression)] @definition.test)) @anchor

; export default function () {} / export default () => {}
(export_statement
  value: [(arrow_function) (function_expression) (generator_function)] @definition.function @export.default) @anchor

(export_statement declaration: (_) @export.definition)

; export default class Router {} / export default function route() {} / export default name
(export_statement "default" declaration: (_ name: (_) @export.default_name))
(export_statement "default" value: (identifier) @export.default_name)
(export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @export.name)))
(export_statement (export_clause (export_specifier name: (_) @export.name)))
(export_statement value: (identifier) @export.name)

; module.exports = foo (the module object is foo) / module.exports = { a, b }
(assignment_expression
  left: (member_expression object: (identifier) @_m property: (property_identifier) @_e)
  (#eq? @_m "module") (#eq? @_e "exports")
  right: (identifier) @export.default_name)

; exports.ids = ids / module.exports.ids = ids
(assignment_expression
  left: (member_expression object: [(identifier) (member_expression)] @_obj)
  (#match? @_obj "^(module\\.)?exports$")
  right: (identifier) @export.name)

(assignment_expression
  left: (member_expression object: (identifier) @_m property: (property_identifier) @_e)
  (#eq? @_m "module") (#eq? @_e "exports")
  right: [(object (shorthand_property_identifier) @export.name)
          (object (pair value: (identifier) @export.name))])

(call_expression function: (_) @callee)
(new_expression constructor: (_) @callee)

; import x from './m' / import { a as b } from './m' / import * as ns from './m'
(import_statement
  (import_clause (identifier) @import.alias)
  source: (string (string_fragment) @import.module)) @import.default

(import_statement
  (import_clause (named_imports (import_specifier name: (_) @import.name alias: (_)? @import.alias)))
  source: (string (string_fragment) @import.module))

(import_statement
  (import_clause (namespace_import (identifier) @import.alias))
  source: (string (string_fragment) @import.module))

; const x = require('./m')
(variable_declarator
  name: (identifier) @import.alias
  value: (call_expression
    function: (identifier) @_req (#eq? @_req "require")
    arguments: (arguments . (string (string_fragment) @import.module))))

; const { a, b: c } = require('./m')
(variable_declarator
  name: (object_pattern (shorthand_property_identifier_pattern) @import.name)
  value: (call_expression
    function: (identifier) @_req (#eq? @_req "require")
    arguments: (arguments . (string (string_fragment) @import.module))))

(variable_declarator
  name: (object_pattern (pair_pattern key: (_) @import.name value: (identifier) @import.alias))
  value: (call_expression
    function: (identifier) @_req (#eq? @_req "require")
    arguments: (arguments . (string (string_fragment) @import.module))))

[
  (if_statement)
  (for_statement)
  (for_in_statement)
  (while_statement)
  (do_statement)
  (catch_clause)
  (ternary_expression)
  (switch_case)
] @branch

(binary_expression operator: ["&&" "||" "??"] @branch)

(yield_expression) @yield

(comment) @comment

(ERROR) @error

; -- what names are bound to (see parse/bindings.py) ------------------------------------------
(return_statement (new_expression constructor: (_) @return.call))
(return_statement (call_expression function: (_) @return.call))
(return_statement (identifier) @return.name)
(variable_declarator name: (identifier) @bind.name value: (_) @bind.value)
(arrow_function parameter: (identifier) @bind.name)
(for_in_statement left: (identifier) @bind.name)
(catch_clause parameter: (identifier) @bind.name)
(assignment_expression
  left: (member_expression object: (this) property: (property_identifier) @bind.attr)
  right: (_) @bind.value)
