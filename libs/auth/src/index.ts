export { signToken, verifyToken, bearerToken, parseTtl, TokenError, type Principal, type Role } from './tokens';
