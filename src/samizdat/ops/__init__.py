"""Operations: moving a newsroom in and out (WordPress import, full export)."""
