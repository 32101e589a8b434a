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
;   @bind.name          a name bound in a scope (parameter, assignment, loop, with, except), with
;                       what is known of it: @bind.type (a declared type) or @bind.value (the
;                       assigned expression); neither: bound, type unknown
;   @bind.attr          an attribute of `self` assigned in a method (same @bind.type/@bind.value)
;   @returns            a function's declared return type

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

; -- what names are bound to: read by the resolver to follow the types the code states -------
(function_definition return_type: (type) @returns)
; what an unannotated function returns, when it says: return Foo(...) / return name / yield name
(return_statement (call function: (_) @return.call))
(return_statement (identifier) @return.name)
(yield (identifier) @return.name)
(decorated_definition (decorator) @decorator definition: (_) @decorated)
(parameters (identifier) @bind.name)
(lambda_parameters (identifier) @bind.name)
(default_parameter name: (identifier) @bind.name)
(typed_parameter (identifier) @bind.name type: (type) @bind.type)
(typed_default_parameter name: (identifier) @bind.name type: (type) @bind.type)
(list_splat_pattern (identifier) @bind.name)
(dictionary_splat_pattern (identifier) @bind.name)
(assignment left: (identifier) @bind.name type: (type) @bind.type)
(assignment left: (identifier) @bind.name right: (_) @bind.value)
(assignment left: (pattern_list (identifier) @bind.name))
(assignment left: (tuple_pattern (identifier) @bind.name))
(augmented_assignment left: (identifier) @bind.name)
(assignment
  left: (attribute object: (identifier) @_self attribute: (identifier) @bind.attr)
  type: (type) @bind.type
  (#eq? @_self "self"))
(assignment
  left: (attribute object: (identifier) @_self attribute: (identifier) @bind.attr)
  right: (_) @bind.value
  (#eq? @_self "self"))
(as_pattern (_) @bind.value alias: (as_pattern_target (identifier) @bind.name))
(for_statement left: (identifier) @bind.name)
(for_statement left: (pattern_list (identifier) @bind.name))
(for_in_clause left: (identifier) @bind.name)
(named_expression name: (identifier) @bind.name value: (_) @bind.value)
(global_statement (identifier) @bind.global)

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
