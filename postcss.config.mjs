// Tailwind CSS v4 runs as a PostCSS plugin; Next picks this file up on its own.
const config = { plugins: { "@tailwindcss/postcss": {} } };

export default config;
