"""The workspaces' views, split by role: accounts (home), author, board, editor."""
