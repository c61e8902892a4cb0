/** SQLite's own words and its extended result code name (SQLITE_CONSTRAINT_UNIQUE …). */
export function describeSqliteError(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
  }
  return { message: String(error) };
}
