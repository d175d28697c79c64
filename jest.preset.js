// Shared Jest settings: every package's jest.config.js spreads this.
// Tests run TypeScript through ts-jest; packages are resolved to their sources so a
// test never depends on another package's build output being fresh.
const path = require('node:path');

/** @param {string} dir the package directory (pass __dirname) */
module.exports = function preset(dir) {
  return {
    displayName: path.basename(dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(dir, 'tsconfig.test.json') }],
    },
    moduleNameMapper: {
      '^@wfpkit/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    },
    testTimeout: 60000,
  };
};
