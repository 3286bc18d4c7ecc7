// The names of the lint output formats, apart from the formatters so `ktpack --help` need not load them (sarif loads every rule).

/** Every output format of `ktpack lint --format`, sorted; {@link FORMATTERS} has one formatter for each. */
export const FORMAT_NAMES = ['github', 'json', 'junit', 'sarif', 'stylish'] as const;

/** The name of one output format. */
export type FormatName = (typeof FORMAT_NAMES)[number];
