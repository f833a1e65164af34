"""The ``tarjama`` subcommands, one module each; ``translate.cli`` assembles them and runs one."""
