import { z } from 'zod';

/** The value schemas drift reports are built from. */
export const Count = z.number().int().nonnegative();
export const Share = z.number().min(0).max(1);
export const perSide = <T extends z.ZodType>(value: T) => z.object({ reference: value, current: value });
