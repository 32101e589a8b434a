; dgtui extraction query for Python.
; Capture vocabulary (shared by every language, read by dgtui/parse/extract.py):
;   @definition.<kind>  the node an atom spans         @name    its name
;   @anchor             where its header starts        @doc     its docstring
;   @callee             what a call calls (the call node itself is not captured: a node
;                       object per call costs time and nothing reads it)
;   @import.module / @import.name / @import.alias / @import.root   one binding per match
;   @export.name        a name listed as exported       @base    a base class
;   @branch             a decision point (complexity)   @yield   makes a generator
;   @comment            a comment (leading comments become docstrings; JS/TS only: Python
;                       takes docstrings, so python.scm does not capture comments)
;   @error              a parse error

(function_definition name: (identifier) @name) @definition.function

(class_definition name: (identifier) @name) @definition.class

(class_definition
  superclasses: (argument_list [(identifier) (attribute)] @base))

(function_definition
  body: (block . (expression_statement (string) @doc)))

(class_definition
  body: (block . (expression_statement (string) @doc)))

(module . (expression_statement (string) @doc))

(call function: (_) @callee)

; import a.b.c  -> binds a
(import_statement name: (dotted_name) @import.module @import.root)

; import a.b as c
(import_statement
  name: (aliased_import name: (dotted_name) @import.module alias: (identifier) @import.alias))

; from m import x / from m import x as y
(import_from_statement
  module_name: (_) @import.module
  name: (dotted_name) @import.name)

(import_from_statement
  module_name: (_) @import.module
  name: (aliased_import name: (dotted_name) @import.name alias: (identifier) @import.alias))

(import_from_statement
  module_name: (_) @import.module
  (wildcard_import) @import.star)

; __all__ = ["a", "b"]
(expression_statement
  (assignment
    left: (identifier) @_all (#eq? @_all "__all__")
    right: [(list (string (string_content) @export.name))
            (tuple (string (string_content) @export.name))]))

[
  (if_statement)
  (elif_clause)
  (for_statement)
  (while_statement)
  (except_clause)
  (conditional_expression)
  (boolean_operator)
  (for_in_clause)
  (if_clause)
  (case_clause)
] @branch

(yield) @yield

(ERROR) @error
