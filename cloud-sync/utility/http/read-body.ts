// Reads a JSON body against a zod schema through the protocol's one reader: size limit while streaming, UTF-8, JSON,
// schema; a malformed body is a 400 naming the first field at fault.
import type { Context } from "hono";
import type { z } from "zod";
import { readJsonBody } from "../../protocol/index.ts";

export const readBody = <S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> => readJsonBody(c.req.raw, schema);
