// Runs every package's Jest project from the root: `npx jest`.
const fs = require('node:fs');
const path = require('node:path');

const roots = ['packages', 'tools'];
module.exports = {
  projects: roots.flatMap((root) =>
    fs
      .readdirSync(path.join(__dirname, root))
      .map((name) => path.join(__dirname, root, name))
      .filter((dir) => fs.existsSync(path.join(dir, 'jest.config.js'))),
  ),
};
