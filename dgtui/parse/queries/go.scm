; dgtui extraction query for Go (see python.scm for the capture vocabulary).
; Extra captures: @owner is a method's receiver type (the atom is named `Type.method`);
; @package.name is the file's package clause.

(function_declaration name: (identifier) @name) @definition.function

(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @owner
             (pointer_type (type_identifier) @owner)
             (generic_type type: (type_identifier) @owner)
             (pointer_type (generic_type type: (type_identifier) @owner))]))
  name: (field_identifier) @name) @definition.method

; every named type is a "class": methods may be declared on any of them
(type_spec name: (type_identifier) @name) @definition.class

; embedded fields: the embedded type's methods are promoted (a base)
(field_declaration
  !name
  type: [(type_identifier) @base
         (pointer_type (type_identifier) @base)
         (qualified_type) @base
         (pointer_type (qualified_type) @base)])

(interface_type (type_elem [(type_identifier) (qualified_type)] @base))

(package_clause (package_identifier) @package.name)

(call_expression function: (_) @callee)

; import "fmt" / import st "example.com/app/store" / import . "x" (a star) / import _ "x" (nothing)
(import_spec
  name: (package_identifier)? @import.alias
  path: (interpreted_string_literal (interpreted_string_literal_content) @import.module))
(import_spec
  name: (dot) @import.star
  path: (interpreted_string_literal (interpreted_string_literal_content) @import.module))

; -- what names are bound to (see parse/bindings.py) ------------------------------------------
(function_declaration result: (_) @returns)
(method_declaration result: (_) @returns)
(parameter_declaration name: (identifier) @bind.name type: (_) @bind.type)
(variadic_parameter_declaration name: (identifier) @bind.name)
(field_declaration name: (field_identifier) @bind.attr type: (_) @bind.type)
(var_spec name: (identifier) @bind.name type: (_) @bind.type)
(var_spec name: (identifier) @bind.name !type value: (expression_list . (_) @bind.value))
(const_spec name: (identifier) @bind.name)
; x := NewFoo() / x, err := NewFoo(): the first name is the first result; the others unknown
(short_var_declaration
  left: (expression_list . (identifier) @bind.name)
  right: (expression_list . [(call_expression) (identifier) (selector_expression)] @bind.value))
(short_var_declaration
  left: (expression_list . (identifier) @bind.name)
  right: (expression_list . [(composite_literal type: (_) @bind.type)
                             (unary_expression operand: (composite_literal type: (_) @bind.type))]))
(short_var_declaration
  left: (expression_list . (identifier) @bind.name)
  right: (expression_list . [(binary_expression) (index_expression) (type_assertion_expression)
                             (func_literal) (literal_value) (unary_expression operand: (identifier))
                             (int_literal) (interpreted_string_literal) (raw_string_literal)]))
(short_var_declaration left: (expression_list (_) . (identifier) @bind.name))
(assignment_statement left: (expression_list (identifier) @bind.name))
(range_clause left: (expression_list (identifier) @bind.name))
(type_switch_statement alias: (expression_list (identifier) @bind.name))
(return_statement (expression_list . (call_expression function: (_) @return.call)))
(return_statement (expression_list . (unary_expression operand: (composite_literal type: (_) @return.call))))

[
  (if_statement)
  (for_statement)
  (expression_case)
  (type_case)
  (communication_case)
] @branch

(binary_expression operator: ["&&" "||"] @branch)

(comment) @comment

(ERROR) @error
