"""The MCP server: a front end over dgtui.query and the live engine."""
