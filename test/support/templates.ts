import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The shipped `templates/` folder. */
export const SHIPPED_TEMPLATES = fileURLToPath(new URL("../../templates/", import.meta.url));

/** How many template files ship, every language folder counted, as the linter should find them. */
export const SHIPPED_TEMPLATE_FILES = readdirSync(SHIPPED_TEMPLATES, { recursive: true }).filter(
  (name) => String(name).endsWith(".eta"),
).length;
