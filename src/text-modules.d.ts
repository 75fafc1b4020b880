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
// The page's browser scripts, one by one: a `*.js` pattern would also swallow real JavaScript imports.
declare module '*/admin-page/core.js' {
  const text: string;
  export default text;
}
declare module '*/admin-page/status.js' {
  const text: string;
  export default text;
}
declare module '*/admin-page/history.js' {
  const text: string;
  export default text;
}
declare module '*/admin-page/keys.js' {
  const text: string;
  export default text;
}
declare module '*/admin-page/main.js' {
  const text: string;
  export default text;
}
