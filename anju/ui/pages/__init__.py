"""One module per page; each exposes `render(ctx, user)` and checks the user's roles itself."""
