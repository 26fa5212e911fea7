// Rules at error and warning level so the SARIF log has both.
export default [
  {
    files: ['**/*.js'],
    rules: {
      'no-unused-vars': 'error',
      'no-undef': 'error',
      eqeqeq: 'warn',
      'no-console': 'warn',
    },
  },
];
