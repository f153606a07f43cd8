; PHP units. Capture names are unit kinds; @name is the definition's name.
(class_declaration name: (name) @name) @class
(interface_declaration name: (name) @name) @interface
(trait_declaration name: (name) @name) @trait
(enum_declaration name: (name) @name) @enum
(function_definition name: (name) @name) @function
(method_declaration name: (name) @name) @method

; Class and top-level constants, and properties with a default value.
(const_declaration (const_element (name) @name)) @const
(property_declaration (property_element name: (variable_name (name) @name) default_value: (_))) @field

; Context and prose.
(namespace_use_declaration) @import
(comment) @comment
(string) @string
(encapsed_string) @string
