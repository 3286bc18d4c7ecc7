// The names of lint settings files, apart from their parser so `ktpack --help` need not load the YAML parser.

/** File names looked up in the working directory when no --config is given, in order. */
export const CONFIG_FILE_NAMES: readonly string[] = ['.ktpackrc.yaml', '.ktpackrc.yml', '.ktpackrc.json'];
