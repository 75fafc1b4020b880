/**
 * @module Types for the files wrangler.toml's `[[rules]] type = "Text"` bundles as strings: the admin
 * page's HTML, CSS and browser script (src/routes/admin-page/).
 */
declare module '*.html' {
  const text: string;
  export default text;
}
declare module '*.css' {
  const text: string;
  export default text;
}
declare module '*/admin-page/admin.js' {
  const text: string;
  export default text;
}
