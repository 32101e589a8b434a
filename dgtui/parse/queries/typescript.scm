; TypeScript-only patterns; the rest is in ecma.scm.

(abstract_class_declaration name: (_) @name) @definition.class

(class_heritage (extends_clause value: (_) @base))

; class fields holding functions: handler = () => {}
(public_field_definition
  name: (_) @name
  value: [(arrow_function) (function_expression) (generator_function)] @definition.method) @anchor

; import x = require('./m')
(import_require_clause
  (identifier) @import.alias
  source: (string (string_fragment) @import.module))

; -- what names are bound to (see parse/bindings.py) ------------------------------------------
(variable_declarator name: (identifier) @bind.name type: (type_annotation) @bind.type)
(required_parameter pattern: (identifier) @bind.name type: (type_annotation) @bind.type)
(optional_parameter pattern: (identifier) @bind.name type: (type_annotation) @bind.type)
(required_parameter pattern: (identifier) @bind.name)
(optional_parameter pattern: (identifier) @bind.name)
(required_parameter (accessibility_modifier) pattern: (identifier) @bind.attr type: (type_annotation) @bind.type)
(public_field_definition name: (property_identifier) @bind.attr type: (type_annotation) @bind.type)
(function_declaration return_type: (type_annotation) @returns)
(method_definition return_type: (type_annotation) @returns)
