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
