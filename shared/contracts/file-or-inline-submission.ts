import { z } from 'zod';

/**
 * A submission body that names a file under `configs/` (`configPath`) or carries the
 * document itself under `field` (an object, or YAML text), exactly one of the two, plus
 * the fields of `extra`.
 */
export function fileOrInlineSubmissionSchema<Field extends string, Extra extends z.ZodRawShape>(field: Field, extra: Extra) {
  const inline = z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: `expected YAML text or a mapping of the ${field}` }).optional();
  return z
    .object({ configPath: z.string().min(1).max(500).optional(), ...({ [field]: inline } as Record<Field, typeof inline>), ...extra })
    .strict()
    .refine((body) => {
      // The shape is generic in `field`, so zod's inferred type does not name its keys.
      const given = body as Record<string, unknown>;
      return (given.configPath === undefined) !== (given[field] === undefined);
    }, {
      message: `give exactly one of "configPath" or "${field}"`,
      path: ['configPath'],
    });
}
