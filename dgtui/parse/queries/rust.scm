; dgtui extraction query for Rust (see python.scm for the capture vocabulary).
; An `impl` block and an inline `mod` are named scopes (@scope.object): a method of `impl Server`
; (or `impl Handler for Server`) is `Server.run`; a function of `mod tests` is `tests.it_works`.

(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function

[(struct_item name: (type_identifier) @name)
 (enum_item name: (type_identifier) @name)
 (union_item name: (type_identifier) @name)
 (trait_item name: (type_identifier) @name)] @definition.class

(impl_item
  type: [(type_identifier) @name
         (generic_type type: (type_identifier) @name)
         (scoped_type_identifier name: (type_identifier) @name)
         (generic_type type: (scoped_type_identifier name: (type_identifier) @name))]) @scope.object
(mod_item name: (identifier) @name body: (declaration_list)) @scope.object

(trait_item bounds: (trait_bounds [(type_identifier) (scoped_type_identifier)] @base))

(call_expression
  function: [(identifier) (scoped_identifier) (field_expression) (call_expression) (self)
             (parenthesized_expression) (index_expression)] @callee)
(call_expression function: (generic_function function: (_) @callee))

; use a::b::{C, d::E as F, *}: the whole tree, read by extract.py
(use_declaration argument: (_) @import.module)

; -- what names are bound to (see parse/bindings.py) ------------------------------------------
(function_item return_type: (_) @returns)
(function_signature_item return_type: (_) @returns)
(parameter pattern: (identifier) @bind.name type: (_) @bind.type)
(parameter pattern: (mut_pattern (identifier) @bind.name) type: (_) @bind.type)
(field_declaration name: (field_identifier) @bind.attr type: (_) @bind.type)
(let_declaration pattern: (identifier) @bind.name type: (_) @bind.type)
(let_declaration pattern: (identifier) @bind.name !type value: (_) @bind.value)
(let_declaration pattern: (identifier) @bind.name !type !value)
(tuple_pattern (identifier) @bind.name)
(tuple_struct_pattern . (_) (identifier) @bind.name)
(field_pattern name: (shorthand_field_identifier) @bind.name)
(field_pattern pattern: (identifier) @bind.name)
(slice_pattern (identifier) @bind.name)
(match_pattern (identifier) @bind.name)
(closure_parameters (identifier) @bind.name)
(closure_parameters (parameter pattern: (identifier) @bind.name))
(for_expression pattern: (identifier) @bind.name)
(ref_pattern (identifier) @bind.name)
(captured_pattern (identifier) @bind.name)
(return_expression (call_expression function: (_) @return.call))
(return_expression (struct_expression name: (_) @return.call))

[
  (if_expression)
  (for_expression)
  (while_expression)
  (loop_expression)
  (match_arm)
] @branch

(binary_expression operator: ["&&" "||"] @branch)

(line_comment) @comment
(block_comment) @comment

(ERROR) @error
