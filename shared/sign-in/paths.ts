/** Where the identity provider brings the admin back: the one callback path the route table, the app client and the local provider all name. */
export const SIGN_IN_CALLBACK_PATH = '/accept/callback';
