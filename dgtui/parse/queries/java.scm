; dgtui extraction query for Java (see python.scm for the capture vocabulary).
; Extra captures: @callee.object is the receiver of a method call (the callee is written from it
; to the method's name); @base.holder places a base at the anonymous class it belongs to;
; @package.name is the file's package declaration; @import.static marks `import static`.

[(class_declaration name: (identifier) @name)
 (interface_declaration name: (identifier) @name)
 (enum_declaration name: (identifier) @name)
 (record_declaration name: (identifier) @name)
 (annotation_type_declaration name: (identifier) @name)] @definition.class

(method_declaration name: (identifier) @name) @definition.method
; constructors are named for their class: Store.Store
(constructor_declaration name: (identifier) @name) @definition.method
(compact_constructor_declaration name: (identifier) @name) @definition.method

; an anonymous class, named for the type it extends: new Thread() { ... } in get is get.Thread
(object_creation_expression
  type: [(type_identifier) @name (scoped_type_identifier) @name
         (generic_type [(type_identifier) (scoped_type_identifier)] @name)]
  (class_body) @definition.class) @anchor
(object_creation_expression
  type: [(type_identifier) @base (scoped_type_identifier) @base
         (generic_type [(type_identifier) (scoped_type_identifier)] @base)]
  (class_body) @base.holder)

; a lambda held by a field or a variable is a body of its own
(variable_declarator name: (identifier) @name value: (lambda_expression) @definition.function) @anchor

(superclass [(type_identifier) (scoped_type_identifier)] @base)
(superclass (generic_type [(type_identifier) (scoped_type_identifier)] @base))
(super_interfaces (type_list [(type_identifier) (scoped_type_identifier)] @base))
(super_interfaces (type_list (generic_type [(type_identifier) (scoped_type_identifier)] @base)))
(extends_interfaces (type_list [(type_identifier) (scoped_type_identifier)] @base))
(extends_interfaces (type_list (generic_type [(type_identifier) (scoped_type_identifier)] @base)))

(package_declaration [(scoped_identifier) (identifier)] @package.name)

(method_invocation object: (_) @callee.object name: (identifier) @callee)
(method_invocation !object name: (identifier) @callee)
(object_creation_expression
  type: [(type_identifier) @callee (scoped_type_identifier) @callee
         (generic_type [(type_identifier) (scoped_type_identifier)] @callee)])
(explicit_constructor_invocation constructor: [(this) (super)] @callee)

; import a.b.C; / import a.b.*; / import static a.b.C.m; / import static a.b.C.*;
(import_declaration "static"? @import.static [(scoped_identifier) (identifier)] @import.module (asterisk)? @import.star)

; -- what names are bound to (see parse/bindings.py) ------------------------------------------
(method_declaration type: (_) @returns)
(formal_parameter type: (_) @bind.type name: (identifier) @bind.name)
(spread_parameter (variable_declarator name: (identifier) @bind.name))
(catch_formal_parameter (catch_type . (_) @bind.type .) name: (identifier) @bind.name)
(catch_formal_parameter name: (identifier) @bind.name)
(enhanced_for_statement type: (_) @bind.type name: (identifier) @bind.name)
(resource type: (_) @bind.type name: (identifier) @bind.name)
(lambda_expression parameters: (identifier) @bind.name)
(inferred_parameters (identifier) @bind.name)
(field_declaration type: (_) @bind.type declarator: (variable_declarator name: (identifier) @bind.attr))
(local_variable_declaration
  type: (_) @bind.type
  declarator: (variable_declarator name: (identifier) @bind.name)
  (#not-eq? @bind.type "var"))
(local_variable_declaration
  type: (_) @_var
  declarator: (variable_declarator name: (identifier) @bind.name value: (_) @bind.value)
  (#eq? @_var "var"))
(return_statement (object_creation_expression type: (_) @return.call))

[
  (if_statement)
  (for_statement)
  (enhanced_for_statement)
  (while_statement)
  (do_statement)
  (catch_clause)
  (ternary_expression)
  (switch_label)
] @branch

(binary_expression operator: ["&&" "||"] @branch)

[(line_comment) (block_comment)] @comment

(ERROR) @error
