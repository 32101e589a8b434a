; JavaScript-only patterns; the rest is in ecma.scm.

(class_heritage (_) @base)

; class fields holding functions: handler = () => {}
(field_definition
  property: (_) @name
  value: [(arrow_function) (function_expression) (generator_function)] @definition.method) @anchor

; parameters bind names (see parse/bindings.py); TypeScript's are in typescript.scm
(formal_parameters (identifier) @bind.name)
(formal_parameters (assignment_pattern left: (identifier) @bind.name))
